#![no_main]
// The free-text detectors and the single-value validators on arbitrary text.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let mut t = kizuki_pii::tally::Tally::new(kizuki_pii::CatSet::all());
        kizuki_pii::text::scan(s, &mut t);
        let _ = (kizuki_pii::value::date(s), kizuki_pii::value::phone(s), kizuki_pii::value::classify_cell(s));
    }
});
