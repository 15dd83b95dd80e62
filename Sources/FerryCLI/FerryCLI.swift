// The FerryCLI module; see Package.swift for its role.
