// Command tf-profile summarises a `perf record --call-graph fp` profile of a Go program
// whose symbol table was stripped, such as the release builds of Terraform. Go keeps its
// own function table (.gopclntab) in every binary; this reads it with debug/gosym.
//
//	perf script -F comm,ip | tf-profile BINARY [COMM] [FOCUS]
//
// COMM keeps only samples of that command name (default "terraform"); FOCUS keeps only
// call stacks through a function whose name contains it. It prints the functions with the
// most samples of their own (self) and under them (inclusive).
package main

import (
	"bufio"
	"debug/elf"
	"debug/gosym"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

// A Go executable is not position-independent and is mapped at this address. Some perf
// versions print addresses in a stripped binary relative to it.
const imageBase = 0x400000

// kernelSpace is where kernel addresses start on x86-64 and arm64.
const kernelSpace = 0xffff000000000000

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: perf script -F comm,ip | tf-profile BINARY [COMM] [FOCUS]")
		os.Exit(2)
	}
	table, textStart, err := loadTable(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "tf-profile:", err)
		os.Exit(1)
	}
	comm, focus := "terraform", ""
	if len(os.Args) > 2 {
		comm = os.Args[2]
	}
	if len(os.Args) > 3 {
		focus = os.Args[3]
	}

	// Read every kept sample first: whether addresses are relative shows only in the whole.
	var samples [][]uint64
	var stack []uint64
	keep := false
	lowest := uint64(kernelSpace)
	flush := func() {
		if keep && len(stack) > 0 {
			samples = append(samples, stack)
		}
		stack = nil
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	for in.Scan() {
		line := in.Text()
		if line == "" {
			continue
		}
		if line[0] != ' ' && line[0] != '\t' {
			// A sample's header line: the command name.
			flush()
			keep = strings.TrimSpace(line) == comm
			continue
		}
		pc, err := strconv.ParseUint(strings.Fields(line)[0], 16, 64)
		if err != nil {
			continue
		}
		if pc < kernelSpace && pc < lowest {
			lowest = pc
		}
		stack = append(stack, pc)
	}
	flush()
	offset := uint64(0)
	if lowest < textStart {
		offset = imageBase
	}

	names := map[uint64]string{}
	name := func(pc uint64) string {
		if pc >= kernelSpace {
			return "[kernel]"
		}
		if n, ok := names[pc]; ok {
			return n
		}
		n := "?"
		if fn := table.PCToFunc(pc + offset); fn != nil {
			n = fn.Name
		}
		names[pc] = n
		return n
	}

	self, incl := map[string]int{}, map[string]int{}
	total := 0
	for _, pcs := range samples {
		frames := make([]string, len(pcs))
		for i, pc := range pcs {
			frames[i] = name(pc)
		}
		if focus != "" && !anyContains(frames, focus) {
			continue
		}
		total++
		self[frames[0]]++
		seen := map[string]bool{}
		for _, f := range frames {
			if !seen[f] {
				incl[f]++
				seen[f] = true
			}
		}
	}

	report("self", self, total, 30)
	report("inclusive", incl, total, 60)
}

// loadTable reads the function table of the Go executable at path, and where its code starts.
func loadTable(path string) (*gosym.Table, uint64, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	pcln := f.Section(".gopclntab")
	text := f.Section(".text")
	if pcln == nil || text == nil {
		return nil, 0, fmt.Errorf("%s has no .gopclntab: not a Go binary?", path)
	}
	data, err := pcln.Data()
	if err != nil {
		return nil, 0, err
	}
	table, err := gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr))
	return table, text.Addr, err
}

func anyContains(stack []string, s string) bool {
	for _, f := range stack {
		if strings.Contains(f, s) {
			return true
		}
	}
	return false
}

func report(title string, counts map[string]int, total, limit int) {
	type row struct {
		name string
		n    int
	}
	rows := make([]row, 0, len(counts))
	for k, v := range counts {
		rows = append(rows, row{k, v})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].n > rows[j].n })
	fmt.Printf("== %s: %d samples\n", title, total)
	for i := 0; i < limit && i < len(rows); i++ {
		fmt.Printf("%6.2f%%  %s\n", 100*float64(rows[i].n)/float64(max(total, 1)), rows[i].name)
	}
}
