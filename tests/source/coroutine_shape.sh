#!/usr/bin/env bash
# No `co_await (a || b)` or `co_await (a && b)` in the tree: g++ 12 may
# destroy a temporary of a co_await expression twice when the suspended
# coroutine is destroyed, so awaitables are combined with first_of/all_of
# (lib/core/include/core/coroutine.hpp), which take named operands only.
# Usage: coroutine_shape.sh [TREE]
set -euo pipefail
TREE=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$TREE"

# The expression after each `co_await (`, up to its closing parenthesis,
# across lines; print FILE:LINE of those that use || or && (perl is part of
# every Debian system).
found=$(find lib tools tests bench \( -name '*.cpp' -o -name '*.hpp' \) -print0 | sort -z | xargs -0 perl -e '
  for my $file (@ARGV) {
    open(my $in, "<", $file) or die "$file: $!";
    my $text = do { local $/; <$in> };
    $text =~ s{//[^\n]*}{}g;  # comments may show the shape
    while ($text =~ /co_await\s*\(/g) {
      my ($start, $depth, $j) = (pos($text), 1, pos($text));
      while ($j < length($text) && $depth > 0) {
        my $c = substr($text, $j++, 1);
        $depth++ if $c eq "(";
        $depth-- if $c eq ")";
      }
      my $expr = substr($text, $start, $j - $start - 1);
      next unless $expr =~ /\|\||&&/;
      my $line = 1 + (substr($text, 0, $start) =~ tr/\n//);
      $expr =~ s/\s+/ /g;
      printf "%s:%d: co_await (%.60s)\n", $file, $line, $expr;
    }
  }')
if [[ -n $found ]]; then
  echo "FAIL: awaitables combined inside co_await; name them and use first_of/all_of:"
  echo "$found"
  exit 1
fi
echo "ok: no awaitable operators inside a co_await expression"
