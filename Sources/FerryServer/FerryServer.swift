// The FerryServer module; see Package.swift for its role.
