import Glibc

/// `read(2)`, under a name that methods called `read` cannot shadow.
@inline(__always)
func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
  read(fd, buffer, count)
}

/// `write(2)`, under a name that methods called `write` cannot shadow.
@inline(__always)
func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
  write(fd, buffer, count)
}

/// `pipe2(2)`: glibc has it, but its header declares it only under _GNU_SOURCE, which Swift's module map does not
/// set. Creating both ends close-on-exec at once matters when several threads spawn programs at the same time.
@_silgen_name("pipe2")
func systemPipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32
