// The FerryAWS module; see Package.swift for its role.
