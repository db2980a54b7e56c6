//! The report writer's numbers in the browser, where the engine's `Number.prototype.toString`
//! writes them (src/json_writer.rs): `JSON.parse` reads back the very doubles written, as it
//! reads serde_json's text of them, which the CLI writes.
#![cfg(target_arch = "wasm32")]

use mailspect::json_writer::to_string;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Each number of `text` (a JSON array) as `JSON.parse` reads it; `None` for `null`.
fn parsed(text: &str) -> Vec<Option<f64>> {
    let value = js_sys::JSON::parse(text).expect("the writer writes JSON");
    js_sys::Array::from(&value)
        .iter()
        .map(|number| number.as_f64())
        .collect()
}

#[wasm_bindgen_test]
fn floats_read_back_as_the_doubles_written_and_as_serde_jsons_text_reads() {
    let values = vec![
        1_764_638_400_123.0,
        48.700_000_000_000_01,
        0.1 + 0.2,
        0.25,
        -1.5,
        -0.0,
        1e21,
        1.5e-7,
        5e-324,
        f64::MAX,
        f64::MIN_POSITIVE,
    ];
    let ours = to_string(&values).expect("numbers can be written");
    let serde_json = serde_json::to_string(&values).expect("numbers can be written");
    let bits = |numbers: Vec<Option<f64>>| -> Vec<Option<u64>> {
        numbers
            .into_iter()
            .map(|number| number.map(f64::to_bits))
            .collect()
    };
    let written: Vec<Option<u64>> = values.iter().map(|value| Some(value.to_bits())).collect();
    assert_eq!(bits(parsed(&ours)), written, "{ours}");
    assert_eq!(bits(parsed(&serde_json)), written, "{serde_json}");
}

#[wasm_bindgen_test]
fn non_finite_floats_are_null_and_an_f32_is_the_double_of_its_value() {
    let text = to_string(&vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY]).expect("writable");
    assert_eq!(text, "[null,null,null]");
    let single = to_string(&vec![0.1_f32, f32::NAN]).expect("writable");
    assert_eq!(
        parsed(&single),
        [Some(f64::from(0.1_f32)), None],
        "{single}"
    );
}
