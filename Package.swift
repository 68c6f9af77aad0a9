// swift-tools-version:6.0
//
// winbackup: the Windows backup-client C APIs (Ntdsbcli, Certadm, ESENT external backup) as a
// Linux shared library. No package dependencies: the toolchain's Glibc and Synchronization only.
//
//   swift build -c release   ->  .build/release/libwinbackup.so  (static Swift runtime, C API only)
//                                .build/release/winbackupctl      (server management, reference agent)
//
// CMakeLists.txt builds the same sources; scripts/check-sources.sh fails when the two lists drift.
import PackageDescription

let versionScript = "\(Context.packageDirectory)/exports/winbackup.map"

let package = Package(
    name: "winbackup",
    products: [
        .library(name: "winbackup", type: .dynamic, targets: ["WinBackup"]),
        // A product name of its own: SwiftPM silently skips an executable named like the library.
        .executable(name: "winbackupctl", targets: ["winbackupctl"]),
    ],
    targets: [
        // C module: the Windows types of include/wbtypes.h plus a few libc shims (crypt_r).
        .target(
            name: "CWinBackup",
            linkerSettings: [.linkedLibrary("crypt")]),
        // The engine: pure Swift, no C types in its API.
        .target(
            name: "BackupEngine",
            dependencies: ["CWinBackup"]),
        // The C facades: @c exports only.
        .target(
            name: "WinBackup",
            dependencies: ["CWinBackup", "BackupEngine"],
            linkerSettings: [
                // Export exactly the C API (exports/winbackup.map), from every link of this target.
                // lld, not gold: gold leaves local Swift symbols in .dynsym, and lld refuses a
                // version script naming a function that does not exist, so the list cannot drift.
                .unsafeFlags(["-use-ld=lld", "-Xlinker", "--version-script=\(versionScript)"]),
                // Never unloaded (-z nodelete): dlclose of a library that carries the Swift runtime
                // would pull the runtime's metadata and caches from under live threads.
                .unsafeFlags(["-Xlinker", "-z", "-Xlinker", "nodelete"]),
                // The release library carries the Swift runtime, so it loads from `env -i` with no
                // toolchain on the library path. Release only: `swift test` links XCTest dynamically.
                .unsafeFlags(["-static-stdlib"], .when(configuration: .release)),
            ]),
        .executableTarget(
            name: "winbackupctl",
            dependencies: ["BackupEngine"]),
        .testTarget(
            name: "BackupEngineTests",
            dependencies: ["BackupEngine"]),
    ]
)
