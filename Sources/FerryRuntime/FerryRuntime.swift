// The FerryRuntime module; see Package.swift for its role.
