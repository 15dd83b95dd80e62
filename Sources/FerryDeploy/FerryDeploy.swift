// The FerryDeploy module; see Package.swift for its role.
