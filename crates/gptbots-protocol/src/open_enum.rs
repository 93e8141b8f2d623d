//! A string enum that keeps values it does not know.
//!
//! The server may add a role, a part type or a message type at any time. Each such enum gets a
//! variant per documented value and `Unknown(String)`, which keeps a new value as it came so
//! that it serializes back unchanged (see twilight's `ChannelType`, and the `unknown variant`
//! bug reports against async-openai for what happens otherwise).

/// Declares an open string enum: `Serialize`/`Deserialize` as a JSON string, `Display`,
/// `From<String>`, `From<&str>`, `as_str()`, `KNOWN`, (feature `schemars`) a JSON Schema and
/// (feature `clap`) `clap::ValueEnum` over the documented values.
///
/// `strict` schemas list the documented values as an `enum` (used for what clients send, so a
/// misspelt value in a request is caught); `open` schemas also allow any other string (used for
/// what the server sends, so a newer server does not fail validation).
macro_rules! open_string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($schema_mode:ident) {
            $( $(#[$vmeta:meta])* $variant:ident = $lit:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the crate does not know, kept exactly as it came.
            Unknown(String),
        }

        impl $name {
            /// The documented values, as they appear on the wire.
            pub const KNOWN: &'static [&'static str] = &[$($lit),+];

            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $lit, )+
                    Self::Unknown(other) => other.as_str(),
                }
            }

            /// Whether this is one of the documented values.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    $( $lit => Self::$variant, )+
                    _ => Self::Unknown(value),
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $lit => Self::$variant, )+
                    _ => Self::Unknown(value.to_owned()),
                }
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                match value {
                    $name::Unknown(other) => other,
                    known => known.as_str().to_owned(),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl ::serde::de::Visitor<'_> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        write!(f, "a string, one of {:?} or a newer value", $name::KNOWN)
                    }
                    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        Ok($name::from(v))
                    }
                    fn visit_string<E: ::serde::de::Error>(self, v: String) -> Result<$name, E> {
                        Ok($name::from(v))
                    }
                }
                deserializer.deserialize_str(Visitor)
            }
        }

        /// The documented values, named on a command line as the wire value in lower case with
        /// `-` for `_` (`PARTIALLY_RESOLVED`: `partially-resolved`); the wire value itself is
        /// an alias. `Unknown` is not offered.
        #[cfg(feature = "clap")]
        impl ::clap::ValueEnum for $name {
            fn value_variants<'a>() -> &'a [Self] {
                const VARIANTS: &[$name] = &[$($name::$variant),+];
                VARIANTS
            }

            fn to_possible_value(&self) -> Option<::clap::builder::PossibleValue> {
                let wire: &'static str = match self {
                    $( Self::$variant => $lit, )+
                    Self::Unknown(_) => return None,
                };
                Some($crate::open_enum::possible_value(wire))
            }
        }

        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                $crate::open_enum::enum_schema(
                    stringify!($name),
                    Self::KNOWN,
                    $crate::open_enum::SchemaMode::$schema_mode,
                )
            }
        }
    };
}

pub(crate) use open_string_enum;

/// A wire value as a command-line choice: lower case, `-` for `_`, the wire value an alias.
#[cfg(feature = "clap")]
pub(crate) fn possible_value(wire: &'static str) -> clap::builder::PossibleValue {
    let name = wire.to_ascii_lowercase().replace('_', "-");
    let value = clap::builder::PossibleValue::new(name.clone());
    if name == wire {
        value
    } else {
        value.alias(wire)
    }
}

/// How an open enum is described in JSON Schema.
#[cfg(feature = "schemars")]
#[derive(Debug, Clone, Copy)]
pub(crate) enum SchemaMode {
    /// Only the documented values validate.
    #[allow(non_camel_case_types)]
    strict,
    /// The documented values, and any other string from a newer server.
    #[allow(non_camel_case_types)]
    open,
}

/// The schema of the open enum `name`. An open one is `anyOf` a titled `enum` of the documented
/// values (`CloseTypeKnown`, which code generators turn into a named enum) and any string, so
/// that generated code can name the known values and still reads a newer one.
#[cfg(feature = "schemars")]
pub(crate) fn enum_schema(name: &str, known: &[&str], mode: SchemaMode) -> schemars::Schema {
    match mode {
        SchemaMode::strict => schemars::json_schema!({ "type": "string", "enum": known }),
        SchemaMode::open => schemars::json_schema!({
            "anyOf": [
                {
                    "title": format!("{name}Known"),
                    "description": "The documented values.",
                    "type": "string",
                    "enum": known
                },
                {
                    "description": "A value added by a newer server.",
                    "type": "string"
                }
            ]
        }),
    }
}

#[cfg(all(test, feature = "clap"))]
mod clap_tests {
    use clap::ValueEnum;

    use crate::Region;
    use crate::feedback::Quality;

    #[test]
    fn the_choices_are_the_documented_values() {
        assert_eq!(Quality::value_variants().len(), Quality::KNOWN.len());
        assert_eq!(
            Quality::from_str("partially-resolved", false),
            Ok(Quality::PartiallyResolved)
        );
        assert_eq!(
            Quality::from_str("PARTIALLY_RESOLVED", false),
            Ok(Quality::PartiallyResolved)
        );
        assert!(Quality::from_str("mostly", false).is_err());
        let regions: Vec<String> = Region::value_variants()
            .iter()
            .filter_map(|region| region.to_possible_value())
            .map(|value| value.get_name().to_owned())
            .collect();
        assert_eq!(regions, Region::KNOWN);
        assert!(
            Region::Unknown("xx".to_owned())
                .to_possible_value()
                .is_none()
        );
    }
}
