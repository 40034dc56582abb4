"""The tools, on the top floor beside opensid: the demo loader (tools.demo, `load_demo`) and the
national data generator for benchmarks (tools.national, `generate_national`). They may import
every app; no app imports them."""
