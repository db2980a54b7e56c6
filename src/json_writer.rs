//! A compact JSON writer for the reports, built for small code rather than speed: the page's
//! modules hand every report to JS as JSON text (`wasm::to_js`), and serde_json's serializer,
//! monomorphised for each field type of each report, inlines the key's escaping and the
//! separators into every one of its ~160 `serialize_entry` and `serialize_field` instances
//! (BENCHMARKS.md, "Size").
//!
//! Here the per-type generic methods do nothing but call one non-generic, never-inlined helper
//! for the separator and the key, then the value's own `serialize`; string escaping and number
//! writing are non-generic functions too. The text is byte for byte what
//! `serde_json::to_string` writes (its compact form), which `tests/json_writer.rs` checks for
//! every report the test suite produces: the page's renderer and the CLI's `--json` read one
//! contract.
//!
//! Floats are written by serde_json itself (one non-generic call per float type), so their
//! digits are always serde_json's; `null` for NaN and the infinities, as serde_json writes them.
//! In the browser the text only ever goes to `JSON.parse`, so there a finite float is written
//! by the engine's own `Number.prototype.toString` (the shortest text that reads back as the
//! same double, as serde_json's), and the module carries no float formatter: `JSON.parse`
//! gives the same number either way, though the spelling can differ (`1764638400123` where
//! serde_json writes `1764638400123.0`). An `f32` is written as the double of the same value.

use std::fmt::{self, Display, Write as _};

use serde::ser::{self, Error as _, Serialize};

/// `value` as compact JSON text, the same text as `serde_json::to_string(value)`.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    let mut writer = Writer { out: String::new() };
    value.serialize(&mut writer)?;
    Ok(writer.out)
}

/// Why a value could not be written: a `Serialize` impl's own error, or a map key that JSON
/// cannot hold (`key must be a string, not a sequence`).
///
/// One pointer wide (a `Box<String>`, not a `Box<str>`), so that `Result<(), Error>`, which every
/// `serialize` returns, fits one register in wasm rather than going through memory.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::box_collection)]
pub struct Error(Box<String>);

impl Display for Error {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: Display>(message: T) -> Self {
        Error(Box::new(message.to_string()))
    }
}

/// The error for a map key of a kind JSON has no string for; `kind` names it.
#[inline(never)]
fn key_must_be_a_string(kind: &str) -> Error {
    Error(Box::new(format!("key must be a string, not {kind}")))
}

/// The text written so far. `&mut Writer` is the serializer.
pub struct Writer {
    out: String,
}

impl Writer {
    #[inline(never)]
    fn raw(&mut self, text: &str) {
        self.out.push_str(text);
    }

    /// `text` as a JSON string: quoted, with `"`, `\` and the control characters U+0000 to
    /// U+001F escaped, and nothing else (U+007F, U+2028 and all non-ASCII are written as they
    /// are), as serde_json writes strings: `\b \t \n \f \r` short, the rest `\u00XX` in lower
    /// case.
    #[inline(never)]
    fn string(&mut self, text: &str) {
        self.out.reserve(text.len() + 2);
        self.out.push('"');
        let mut start = 0;
        for (index, byte) in text.bytes().enumerate() {
            let escape = match byte {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                0x08 => "\\b",
                b'\t' => "\\t",
                b'\n' => "\\n",
                0x0c => "\\f",
                b'\r' => "\\r",
                0x00..=0x1f => "",
                _ => continue,
            };
            // `index` is at an ASCII byte, so both slices end on character boundaries.
            self.out.push_str(&text[start..index]);
            if escape.is_empty() {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                self.out.push_str("\\u00");
                self.out.push(char::from(HEX[usize::from(byte >> 4)]));
                self.out.push(char::from(HEX[usize::from(byte & 0xf)]));
            } else {
                self.out.push_str(escape);
            }
            start = index + 1;
        }
        self.out.push_str(&text[start..]);
        self.out.push('"');
    }

    #[inline(never)]
    fn unsigned(&mut self, value: u64) {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut rest = value;
        loop {
            at -= 1;
            // `rest % 10` is a single decimal digit.
            digits[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        for &digit in &digits[at..] {
            self.out.push(char::from(digit));
        }
    }

    #[inline(never)]
    fn signed(&mut self, value: i64) {
        if value < 0 {
            self.out.push('-');
        }
        self.unsigned(value.unsigned_abs());
    }

    /// 128-bit integers, which no report has: through `Display`, whose digits are serde_json's.
    #[inline(never)]
    fn display(&mut self, value: &dyn Display) {
        // Writing to a String cannot fail.
        let _ = write!(self.out, "{value}");
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[inline(never)]
    fn float64(&mut self, value: f64) -> Result<(), Error> {
        let text = serde_json::to_string(&value).map_err(|error| Error::custom(&error))?;
        self.raw(&text);
        Ok(())
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[inline(never)]
    fn float32(&mut self, value: f32) -> Result<(), Error> {
        let text = serde_json::to_string(&value).map_err(|error| Error::custom(&error))?;
        self.raw(&text);
        Ok(())
    }

    /// See the module docs: JS's shortest round-trip text, `null` where JSON has no number.
    #[cfg(target_arch = "wasm32")]
    #[inline(never)]
    fn float64(&mut self, value: f64) -> Result<(), Error> {
        if value == 0.0 && value.is_sign_negative() {
            // JS writes -0 as "0"; JSON.parse("-0") keeps the sign, as serde_json's "-0.0" does.
            self.raw("-0");
        } else if value.is_finite() {
            let text = js_sys::Number::from(value)
                .to_string_with_radix(10)
                .map_err(|_| Error::custom("the number could not be written"))?;
            self.out.push_str(&String::from(text));
        } else {
            self.raw("null");
        }
        Ok(())
    }

    #[cfg(target_arch = "wasm32")]
    fn float32(&mut self, value: f32) -> Result<(), Error> {
        self.float64(f64::from(value))
    }

    /// Opens an array or object (`opening` is `[` or `{`, after `{"Variant":` for a variant)
    /// that `closing` ends.
    #[inline(never)]
    fn open(
        &mut self,
        variant: Option<&str>,
        opening: &str,
        closing: &'static str,
    ) -> Compound<'_> {
        if let Some(variant) = variant {
            self.out.push('{');
            self.string(variant);
            self.out.push(':');
        }
        self.out.push_str(opening);
        Compound {
            writer: self,
            first: true,
            closing,
        }
    }

    /// `{"Variant":` before a newtype variant's value; its `}` follows the value.
    #[inline(never)]
    fn variant(&mut self, variant: &str) {
        self.out.push('{');
        self.string(variant);
        self.out.push(':');
    }
}

/// An array or object being written: every element, field and entry goes through
/// [`Compound::element`] or [`Compound::field`].
pub struct Compound<'a> {
    writer: &'a mut Writer,
    first: bool,
    closing: &'static str,
}

impl Compound<'_> {
    /// The comma before every element but the first.
    #[inline(never)]
    fn element(&mut self) -> &mut Writer {
        if !self.first {
            self.writer.out.push(',');
        }
        self.first = false;
        self.writer
    }

    /// `,"key":` (no comma before the first field).
    #[inline(never)]
    fn field(&mut self, key: &str) -> &mut Writer {
        let writer = self.element();
        writer.string(key);
        writer.out.push(':');
        writer
    }

    /// The `:` between a map's key and its value.
    #[inline(never)]
    fn colon(&mut self) -> &mut Writer {
        self.writer.out.push(':');
        self.writer
    }

    #[inline(never)]
    fn close(self) -> Result<(), Error> {
        self.writer.raw(self.closing);
        Ok(())
    }
}

/// Integers up to 64 bits, widened to the one function that writes their kind.
macro_rules! integers {
    ($($method:ident($type:ty) => $write:ident),*) => {$(
        #[allow(clippy::useless_conversion)]
        fn $method(self, value: $type) -> Result<(), Error> {
            self.$write(value.into());
            Ok(())
        }
    )*};
}

impl<'a> ser::Serializer for &'a mut Writer {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, value: bool) -> Result<(), Error> {
        self.raw(if value { "true" } else { "false" });
        Ok(())
    }

    integers!(
        serialize_i8(i8) => signed,
        serialize_i16(i16) => signed,
        serialize_i32(i32) => signed,
        serialize_i64(i64) => signed,
        serialize_u8(u8) => unsigned,
        serialize_u16(u16) => unsigned,
        serialize_u32(u32) => unsigned,
        serialize_u64(u64) => unsigned
    );

    fn serialize_i128(self, value: i128) -> Result<(), Error> {
        self.display(&value);
        Ok(())
    }

    fn serialize_u128(self, value: u128) -> Result<(), Error> {
        self.display(&value);
        Ok(())
    }

    fn serialize_f32(self, value: f32) -> Result<(), Error> {
        self.float32(value)
    }

    fn serialize_f64(self, value: f64) -> Result<(), Error> {
        self.float64(value)
    }

    fn serialize_char(self, value: char) -> Result<(), Error> {
        self.string(value.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, value: &str) -> Result<(), Error> {
        self.string(value);
        Ok(())
    }

    fn serialize_bytes(self, value: &[u8]) -> Result<(), Error> {
        let mut array = self.open(None, "[", "]");
        for &byte in value {
            array.element().unsigned(byte.into());
        }
        array.close()
    }

    fn serialize_none(self) -> Result<(), Error> {
        self.raw("null");
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        self.raw("null");
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.raw("null");
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.string(variant);
        Ok(())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.variant(variant);
        value.serialize(&mut *self)?;
        self.raw("}");
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a>, Error> {
        Ok(self.open(None, "[", "]"))
    }

    fn serialize_tuple(self, _len: usize) -> Result<Compound<'a>, Error> {
        Ok(self.open(None, "[", "]"))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, Error> {
        Ok(self.open(None, "[", "]"))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, Error> {
        Ok(self.open(Some(variant), "[", "]}"))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a>, Error> {
        Ok(self.open(None, "{", "}"))
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Compound<'a>, Error> {
        Ok(self.open(None, "{", "}"))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, Error> {
        Ok(self.open(Some(variant), "{", "}}"))
    }

    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<(), Error> {
        self.string(&value.to_string());
        Ok(())
    }
}

/// The four kinds of array (a sequence, a tuple, a tuple struct, a tuple variant's fields)
/// write their elements alike.
macro_rules! arrays {
    ($($kind:ident::$method:ident),*) => {$(
        impl ser::$kind for Compound<'_> {
            type Ok = ();
            type Error = Error;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                value.serialize(self.element())
            }

            fn end(self) -> Result<(), Error> {
                self.close()
            }
        }
    )*};
}

arrays!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        key.serialize(KeyWriter(self.element()))
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(self.colon())
    }

    fn serialize_entry<K: Serialize + ?Sized, V: Serialize + ?Sized>(
        &mut self,
        key: &K,
        value: &V,
    ) -> Result<(), Error> {
        key.serialize(KeyWriter(self.element()))?;
        value.serialize(self.colon())
    }

    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

/// A struct and a struct variant write their fields alike.
macro_rules! objects {
    ($($kind:ident),*) => {$(
        impl ser::$kind for Compound<'_> {
            type Ok = ();
            type Error = Error;

            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Error> {
                value.serialize(self.field(key))
            }

            fn end(self) -> Result<(), Error> {
                self.close()
            }
        }
    )*};
}

objects!(SerializeStruct, SerializeStructVariant);

#[inline(never)]
fn float_key_must_be_finite() -> Error {
    Error(Box::new(
        "float key must be finite, got NaN or +-inf".into(),
    ))
}

/// Numbers and booleans as keys: the text they have as values, quoted.
macro_rules! quoted_keys {
    ($($method:ident($type:ty)),*) => {$(
        fn $method(self, value: $type) -> Result<(), Error> {
            self.quoted(&|writer| ser::Serializer::$method(writer, value))
        }
    )*};
}

/// A map key: JSON keys are strings, so keys that are numbers or booleans are written quoted
/// and anything else is an error, as serde_json does.
struct KeyWriter<'a>(&'a mut Writer);

impl KeyWriter<'_> {
    /// A number or boolean as a key: the value's own text, quoted.
    #[inline(never)]
    fn quoted(self, write: &dyn Fn(&mut Writer) -> Result<(), Error>) -> Result<(), Error> {
        self.0.raw("\"");
        write(self.0)?;
        self.0.raw("\"");
        Ok(())
    }
}

impl ser::Serializer for KeyWriter<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = ser::Impossible<(), Error>;
    type SerializeTuple = ser::Impossible<(), Error>;
    type SerializeTupleStruct = ser::Impossible<(), Error>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = ser::Impossible<(), Error>;
    type SerializeStruct = ser::Impossible<(), Error>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_str(self, value: &str) -> Result<(), Error> {
        self.0.string(value);
        Ok(())
    }

    fn serialize_char(self, value: char) -> Result<(), Error> {
        self.0.string(value.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.0.string(variant);
        Ok(())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<(), Error> {
        self.0.string(&value.to_string());
        Ok(())
    }

    quoted_keys!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128)
    );

    fn serialize_f32(self, value: f32) -> Result<(), Error> {
        if !value.is_finite() {
            return Err(float_key_must_be_finite());
        }
        self.quoted(&|writer| writer.float32(value))
    }

    fn serialize_f64(self, value: f64) -> Result<(), Error> {
        if !value.is_finite() {
            return Err(float_key_must_be_finite());
        }
        self.quoted(&|writer| writer.float64(value))
    }

    fn serialize_bytes(self, _value: &[u8]) -> Result<(), Error> {
        Err(key_must_be_a_string("bytes"))
    }

    fn serialize_none(self) -> Result<(), Error> {
        Err(key_must_be_a_string("None"))
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        Err(key_must_be_a_string("a unit"))
    }

    fn serialize_unit_struct(self, name: &'static str) -> Result<(), Error> {
        Err(key_must_be_a_string(name))
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), Error> {
        Err(key_must_be_a_string(name))
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(key_must_be_a_string("a sequence"))
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        Err(key_must_be_a_string("a tuple"))
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(key_must_be_a_string(name))
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(key_must_be_a_string(name))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(key_must_be_a_string("a map"))
    }

    fn serialize_struct(
        self,
        name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        Err(key_must_be_a_string(name))
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(key_must_be_a_string(name))
    }
}

#[cfg(test)]
mod tests;
