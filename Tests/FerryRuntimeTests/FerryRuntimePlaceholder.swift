// Tests for FerryRuntime.
