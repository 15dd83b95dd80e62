// The FerryQueue module; see Package.swift for its role.
