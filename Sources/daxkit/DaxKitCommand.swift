import ArgumentParser
import DaxKit

@main
struct DaxKitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daxkit",
        abstract: "Manage Linux persistent memory and device-DAX (ndctl/daxctl compatible).",
        version: DaxKitVersion.string,
        subcommands: [
            ListCommand.self, CreateNamespaceCommand.self, DestroyNamespaceCommand.self,
            EnableNamespaceCommand.self, DisableNamespaceCommand.self, EnableRegionCommand.self,
            DisableRegionCommand.self, InitLabelsCommand.self, ZeroLabelsCommand.self,
            DaxCommand.self, TouchCommand.self,
        ]
    )
}
