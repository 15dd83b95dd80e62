// Tests for FerryDeploy.
