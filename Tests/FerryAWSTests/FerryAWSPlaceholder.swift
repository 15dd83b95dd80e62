// Tests for FerryAWS.
