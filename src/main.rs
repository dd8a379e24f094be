fn main() -> std::process::ExitCode {
    let code = ep::main_entry();
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(1))
}
