//! The generator behind the `gptbots-schemas` tool: the OpenAPI document of the API, built from
//! the same schemas as the JSON Schema files (see [`openapi`]).

pub mod openapi;
