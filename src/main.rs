//! `iskp-map`: the command line (see [`iskp_map::cli`]).

/// mimalloc instead of the system allocator: a request's many small allocations (headers, the
/// middleware's futures, JSON) cost a fifth of a trivial route's time in glibc's malloc and free.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    iskp_map::cli::main()
}
