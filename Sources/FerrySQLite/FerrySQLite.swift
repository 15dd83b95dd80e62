// The FerrySQLite module; see Package.swift for its role.
