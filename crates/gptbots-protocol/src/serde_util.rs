//! Small serde helpers shared by the wire types.
//!
//! The `lenient` modules are how every response type reads what a real server may send (the
//! rules of "Reading what a real server sends"): `null` where a field may be absent, integral
//! decimals (`29.0`, `1e3`) for integers, and a number where the docs show a string (or the
//! other way round). They are used with `#[serde(deserialize_with = ...)]` on reading only:
//! what we write is always the strict shape.

/// `Option<Option<T>>` that tells a field left out (`None`) from an explicit `null`
/// (`Some(None)`). Use with `#[serde(default, skip_serializing_if = "Option::is_none")]`.
pub(crate) mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn serialize<T: Serialize, S: Serializer>(
        value: &Option<Option<T>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

/// A field with a default reads `null` as that default (`"text": null` is `""`).
///
/// `#[serde(default, deserialize_with = "crate::serde_util::null_as_default")]`; the schema of
/// such a field must accept `null` too (`#[cfg_attr(feature = "schemars", schemars(with =
/// "Option<T>"))]`).
pub(crate) fn null_as_default<'de, T, D>(deserializer: D) -> Result<T, D::Error>
where
    T: serde::Deserialize<'de> + Default,
    D: serde::Deserializer<'de>,
{
    Ok(<Option<T> as serde::Deserialize>::deserialize(deserializer)?.unwrap_or_default())
}

/// An integer that may come as an integral decimal: `29`, `29.0` and `2.9e1` all read as 29; a
/// fraction (`29.5`), a value out of range, or anything that is not a number is an error that
/// says what came. The JSON Schema `"type": "integer"` accepts exactly these, so the schema of
/// such a field needs nothing special.
///
/// For `u64`, `i64`, `u32`, `i32` and `Option` of those (`null` is `None` there). Use
/// `#[serde(deserialize_with = "crate::serde_util::integer")]`, with `default` where the field
/// may be absent; [`integer_or_default`] reads `null` as 0.
pub(crate) fn integer<'de, T, D>(deserializer: D) -> Result<T, D::Error>
where
    T: LenientInteger,
    D: serde::Deserializer<'de>,
{
    T::read(deserializer)
}

/// [`integer`] for a field with a default: `null` reads as 0.
pub(crate) fn integer_or_default<'de, T, D>(deserializer: D) -> Result<T, D::Error>
where
    T: Default,
    Option<T>: LenientInteger,
    D: serde::Deserializer<'de>,
{
    Ok(Option::<T>::read(deserializer)?.unwrap_or_default())
}

/// An integer type [`integer`] can read.
pub(crate) trait LenientInteger: Sized {
    /// Reads the value with the lenient rules.
    fn read<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

mod lenient_integer {
    use super::LenientInteger;
    use serde::de::{self, Deserializer, Visitor};
    use std::fmt;
    use std::marker::PhantomData;

    /// The largest integral `f64` magnitude that is exactly an integer we can hold (2^63).
    const F64_I64_BOUND: f64 = 9_223_372_036_854_775_808.0;
    const F64_U64_BOUND: f64 = 18_446_744_073_709_551_616.0;

    struct IntegerVisitor<T>(PhantomData<T>);

    impl<'de, T> Visitor<'de> for IntegerVisitor<T>
    where
        T: TryFrom<i64> + TryFrom<u64>,
    {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer (an integral decimal such as 29.0 is read as 29)")
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
            T::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
            T::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
            let unexpected = || E::invalid_value(de::Unexpected::Float(v), &self);
            if !v.is_finite() || v.fract() != 0.0 {
                return Err(unexpected());
            }
            // Integral and finite: in range of i64 or u64, the cast is exact.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            if (-F64_I64_BOUND..F64_I64_BOUND).contains(&v) {
                T::try_from(v as i64).map_err(|_| unexpected())
            } else if (0.0..F64_U64_BOUND).contains(&v) {
                T::try_from(v as u64).map_err(|_| unexpected())
            } else {
                Err(unexpected())
            }
        }
    }

    struct OptionVisitor<T>(PhantomData<T>);

    impl<'de, T> Visitor<'de> for OptionVisitor<T>
    where
        T: TryFrom<i64> + TryFrom<u64>,
    {
        type Value = Option<T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer or null")
        }

        fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
            d.deserialize_any(IntegerVisitor(PhantomData)).map(Some)
        }
    }

    macro_rules! lenient_integer {
        ($($t:ty),*) => {$(
            impl LenientInteger for $t {
                fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    d.deserialize_any(IntegerVisitor(PhantomData))
                }
            }
            impl LenientInteger for Option<$t> {
                fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    d.deserialize_option(OptionVisitor(PhantomData))
                }
            }
        )*};
    }

    lenient_integer!(u64, i64, u32, i32);
}

/// Text that may come as a number: `"branch": 1` keeps `"1"` (the number's own JSON text), a
/// string stays as it is, `null` is `None`. For `Option<String>` fields.
pub(crate) fn opt_string_or_number<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    use serde::Deserialize;
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text {
        String(String),
        Number(serde_json::Number),
    }
    Ok(
        Option::<Text>::deserialize(deserializer)?.map(|text| match text {
            Text::String(s) => s,
            Text::Number(n) => n.to_string(),
        }),
    )
}

/// A count the docs show as a number and a table calls a string (`total`): `12`, `12.0` and
/// `"12"` all read as 12; `null` reads as 0. Anything else is an error.
pub(crate) fn count_or_string<'de, T, D>(deserializer: D) -> Result<T, D::Error>
where
    T: LenientInteger + Default + std::str::FromStr,
    D: serde::Deserializer<'de>,
{
    use serde::Deserialize;
    use serde::de::Error;
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    match value {
        None => Ok(T::default()),
        Some(serde_json::Value::String(s)) => s.trim().parse::<T>().map_err(|_| {
            D::Error::invalid_value(
                serde::de::Unexpected::Str(&s),
                &"an integer, or a string of decimal digits",
            )
        }),
        Some(other) => T::read(other).map_err(D::Error::custom),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Sample {
        #[serde(deserialize_with = "super::integer")]
        a: u64,
        #[serde(default, deserialize_with = "super::integer")]
        b: Option<i64>,
        #[serde(default, deserialize_with = "super::integer_or_default")]
        c: u32,
        #[serde(default, deserialize_with = "super::null_as_default")]
        d: String,
        #[serde(default, deserialize_with = "super::opt_string_or_number")]
        e: Option<String>,
        #[serde(default, deserialize_with = "super::count_or_string")]
        f: u64,
    }

    fn read(json: &str) -> Result<Sample, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn integral_decimals_are_integers() {
        let s = read(r#"{"a":29.0,"b":-1e3,"c":null,"d":null,"e":1,"f":"12"}"#).unwrap();
        assert_eq!(
            s,
            Sample {
                a: 29,
                b: Some(-1000),
                c: 0,
                d: String::new(),
                e: Some("1".into()),
                f: 12
            }
        );
    }

    #[test]
    fn absent_and_null_fields() {
        let s = read(r#"{"a":1,"b":null}"#).unwrap();
        assert_eq!((s.b, s.c, s.d, s.e, s.f), (None, 0, String::new(), None, 0));
    }

    #[test]
    fn a_fraction_is_an_error_that_names_it() {
        let err = read(r#"{"a":29.5}"#).unwrap_err().to_string();
        assert!(err.contains("29.5") && err.contains("integer"), "{err}");
        assert!(read(r#"{"a":-1}"#).is_err(), "negative into u64");
        assert!(
            read(r#"{"a":"29"}"#).is_err(),
            "a string is not an integer here"
        );
        assert!(
            read(r#"{"a":null}"#).is_err(),
            "null for a required integer"
        );
        assert!(read(r#"{"a":1,"b":1.5}"#).is_err());
        assert!(read(r#"{"a":1,"f":"1.5"}"#).is_err());
        assert!(read(r#"{"a":1e30}"#).is_err(), "out of range");
    }

    #[test]
    fn numbers_kept_as_their_text() {
        assert_eq!(
            read(r#"{"a":1,"e":2.50}"#).unwrap().e.as_deref(),
            Some("2.5")
        );
        assert_eq!(read(r#"{"a":1,"e":"x"}"#).unwrap().e.as_deref(), Some("x"));
    }

    #[test]
    fn u64_max_and_i64_min() {
        assert_eq!(read(r#"{"a":18446744073709551615}"#).unwrap().a, u64::MAX);
        assert_eq!(
            read(r#"{"a":0,"b":-9223372036854775808}"#).unwrap().b,
            Some(i64::MIN)
        );
    }
}
