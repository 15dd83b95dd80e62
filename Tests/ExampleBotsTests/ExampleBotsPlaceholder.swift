// Tests for ExampleBots.
