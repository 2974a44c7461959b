#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    kizuki_net::read::read_bytes(data, &Default::default(), &mut |_| {});
});
