package main

import (
	"fmt"
	"io"
	"syscall"
)

// raiseFileLimit raises the soft limit of open files to the hard limit (one
// descriptor per viewer, and children inherit it) and warns, with the command
// to run, when even that is below need.
func raiseFileLimit(need int, stderr io.Writer) uint64 {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		fmt.Fprintln(stderr, "tribune-load: reading the open files limit:", err)
		return 0
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			fmt.Fprintln(stderr, "tribune-load: raising the open files limit:", err)
		}
		_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	if lim.Cur < uint64(need) {
		fmt.Fprintf(stderr, "tribune-load: %d open files are needed but the limit is %d (hard limit %d): "+
			"raise it first, e.g. `ulimit -n %d` (as root, or in /etc/security/limits.conf), or some viewers will fail to connect\n",
			need, lim.Cur, lim.Max, need)
	}
	return lim.Cur
}

func fileLimit() uint64 {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0
	}
	return lim.Cur
}

// childAttrs makes a child server die with the tool.
func childAttrs() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
