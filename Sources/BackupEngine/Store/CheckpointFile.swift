/// Reads and writes a store's checkpoint file (edb.chk).
enum CheckpointFile {
    static func read(_ layout: StoreLayout) throws(BackupError) -> Checkpoint {
        let path = layout.checkpointPath
        guard FileSystem.exists(path) else { throw .fileNotFound(path) }
        guard let c = Checkpoint(try FileSystem.readFile(path)) else { throw .logCorrupted("\(path): checkpoint fails its checksum") }
        return c
    }

    /// Replaces the checkpoint atomically. Call with the log lock held.
    static func write(_ layout: StoreLayout, _ checkpoint: Checkpoint) throws(BackupError) {
        try FileSystem.writeAtomically(layout.checkpointPath, checkpoint.encode())
    }
}
