#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif
import PolrouteCLI

exit(CLI.run(Array(CommandLine.arguments.dropFirst()), context: .live()))
