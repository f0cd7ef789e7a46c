// Command tribune-load measures Tribune under a live audience. It opens N viewer
// websockets, makes changes through the organizer API at a given rate, and
// reports the delivery latency from each change's request to each viewer's
// receipt, messages lost or out of order, reconnects, and the server's memory
// per viewer, side by side with the floor: a minimal broadcast server in the
// same binary, driven by the same load.
//
//	tribune-load bench                       # Tribune and the floor on this machine: issue 8's table
//	tribune-load run -url URL -token trb_…   # a running Tribune, before an act
//	tribune-load floor -addr 127.0.0.1:9090  # the floor alone
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
