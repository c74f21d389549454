//! JSON scenarios read like TOML ones. TOML refuses a key given twice in one
//! table; `serde_json` would silently keep the last value, so a JSON file
//! could say one thing to a reviewer reading the first `"sd"` and another to
//! the simulation. This reader builds the same document tree as
//! `serde_json::Value` (keys in file order) but stops at the first repeated
//! key, naming the table's dotted path and the key; the error carries the
//! line and column like any other syntax error.

use super::fields::{index, join};
use crate::input::text;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// Parse JSON text into a document tree, refusing repeated keys.
pub fn from_str(text: &str) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Node {
        path: String::new(),
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// One value being read, with its dotted path for messages.
struct Node {
    path: String,
}

impl<'de> DeserializeSeed<'de> for Node {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::from(i))
    }

    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        Ok(Value::from(u))
    }

    fn visit_f64<E: de::Error>(self, x: f64) -> Result<Value, E> {
        Number::from_f64(x)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a number must be finite"))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Node {
            path: index(&self.path, items.len()),
        })? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                let table = if self.path.is_empty() {
                    "the top level".to_string()
                } else {
                    format!("`{}`", self.path)
                };
                return Err(de::Error::custom(format!(
                    "duplicate key `{}` in {table}; a key may appear once in a table (as in TOML): delete one of the two",
                    text::excerpt(&key, 60)
                )));
            }
            let child = join(&self.path, &key);
            let value = map.next_value_seed(Node { path: child })?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tree_is_the_one_serde_json_builds() {
        let text = r#"{"b": [1, -2, 2.5, "x", null, true], "a": {"z": 1, "y": {}}}"#;
        let ours = from_str(text).unwrap();
        let theirs: Value = serde_json::from_str(text).unwrap();
        assert_eq!(ours, theirs);
        let keys: Vec<&String> = ours.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["b", "a"], "file order is kept");
    }

    #[test]
    fn a_repeated_key_is_refused_with_its_table_and_position() {
        let e = from_str("{\"drivers\": {\"g\": {\"sd\": 0.1,\n \"sd\": 0.2}}}").unwrap_err();
        let m = e.to_string();
        assert!(m.contains("duplicate key `sd` in `drivers.g`"), "{m}");
        assert_eq!(e.line(), 2);
        let e = from_str(r#"{"a": 1, "a": 1}"#).unwrap_err();
        assert!(e.to_string().contains("in the top level"), "{e}");
        // The same key in different tables is fine.
        assert!(from_str(r#"{"a": {"x": 1}, "b": {"x": 1}}"#).is_ok());
    }

    #[test]
    fn trailing_text_is_still_an_error() {
        assert!(from_str("{} {}").is_err());
    }
}
