"""The national data set for benchmarks (`manage.py generate_national`): tools.national.generate
runs it; regions, offices and people make its parts, common holds what they share."""
