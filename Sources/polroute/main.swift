import PolrouteCLI

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

exit(CLI.run(Array(CommandLine.arguments.dropFirst()), context: .live()))
