import BackupEngine

/// The `ese` side of the reference restore agent, as a Windows agent restores a streaming Jet
/// backup: the target stopped, each database copied to its place (the destination deleted first),
/// the logs of the full set and of any incremental sets after it gathered into one folder, then
/// one JetExternalRestoreW over the whole range. The server is left stopped and consistent.
extension RestoreAgent {
    func restoreEseInstance(_ directories: [String], to server: String) throws(CLIError) -> Result {
        var sets = [(directory: String, manifest: BackupManifest)]()
        for directory in directories {
            do { sets.append((directory, try BackupManifest.read(directory))) } catch { throw CLIError(error) }
        }
        guard let full = sets.first, full.manifest.api == "esent", !full.manifest.isIncremental,
              sets.dropFirst().allSatisfy({ $0.manifest.api == "esent" && $0.manifest.isIncremental }) else {
            throw CLIError("an ese restore takes a full Jet backup set, then its incremental sets in the order they were taken")
        }
        let target: Server
        do {
            target = try ServerRegistry().find(server)
            guard try target.settings().role == .ese else { throw CLIError("\(server) is not an ese server") }
            guard try target.settings().state == .offline else {
                throw CLIError("\(server) is running: stop it first (winbackupctl server stop \(server))")
            }
        } catch let e as CLIError { throw e } catch let e as BackupError { throw CLIError(e) } catch { throw CLIError("\(error)") }

        var result = Result(incremental: sets.count > 1)
        var map = [[UInt16]]()
        let databases = full.manifest.files.filter { $0.kind == .database }
        for entry in databases {
            let place = target.directory + "/" + entry.file  // the same drive path on the target
            result.bytes += try copy(full.directory + "/" + entry.file, to: place)
            result.files += 1
            map.append(Array(entry.name.utf16) + [0])  // szDatabaseName: the name at backup time
            map.append(Array(place.utf16) + [0])       // szNewDatabaseName: where it is now
        }
        let logFolder = try library.resolve(server, Self.backupLogFolder)
        var generations = [UInt32]()
        do {
            try FileSystem.removeTree(logFolder)
            try FileSystem.makeDirectories(logFolder)
        } catch { throw CLIError(error) }
        for set in sets {
            let (low, high) = try logRange(set.manifest, set.directory)
            generations += [low, high]
            for entry in set.manifest.files where entry.kind == .log {
                result.bytes += try copy(set.directory + "/" + entry.file, to: logFolder + "/" + FileSystem.lastComponent(entry.file))
                result.files += 1
            }
        }
        result.genLow = generations.min()!
        result.genHigh = generations.max()!
        let jet = library.jet
        let err = withWideValue(logFolder) { logs in
            withArrayOfPointers(map) { jet.externalRestore(nil, nil, $0, Int32(databases.count), logs, Int32(result.genLow), Int32(result.genHigh), nil) }
        }
        try BackupAgent.checkJet(err, "JetExternalRestore")
        return result
    }
}
