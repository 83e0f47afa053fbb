import Glibc
import PolrouteCLI

exit(CLI.run(Array(CommandLine.arguments.dropFirst()), context: .live()))
