//! `iskp-map`: the command line (see [`iskp_map::cli`]).

fn main() -> std::process::ExitCode {
    iskp_map::cli::main()
}
