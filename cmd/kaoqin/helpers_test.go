package main

import (
	"testing"

	"github.com/alecthomas/kong"
)

// parseOnly parses args the way run does, without running the command, and returns the result.
func parseOnly(t *testing.T, args []string) CLI {
	t.Helper()
	var cli CLI
	parser, err := kong.New(&cli, kong.Resolvers(configFileResolver(args)), kong.Exit(func(int) {}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parser.Parse(args); err != nil {
		t.Fatal(err)
	}
	return cli
}
