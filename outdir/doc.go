// Package outdir decides where segmint may write and what it may replace.
//
// Two rules keep a user's files safe, whatever --out and --force say:
//
//   - An output is replaced only when segmint wrote everything in it: a
//     directory when it holds a segmint manifest.json and nothing but the
//     files that manifest lists (and segmint's own staging leftovers); a
//     Parquet file or a hive partition when its key-value metadata says
//     segmint wrote it. Anything else is refused with a *ForeignError that
//     names the first few foreign files and how many there are
//     (CheckDir, CheckFile, Foreign).
//   - An output that is, contains or lies inside one of the command's inputs
//     (event files, folders and glob roots, the segment catalogue, the
//     configuration file), through symbolic links too, is refused before any
//     work with an *OverlapError naming both paths (CheckDisjoint).
//
// The package only checks; it never removes anything. Writers stage their
// output beside the old one and exchange the two only when the new one is
// complete, so the old output is removed only after the new one is in place.
package outdir
