// Tests for FerryTesting.
