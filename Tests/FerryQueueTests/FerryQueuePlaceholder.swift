// Tests for FerryQueue.
