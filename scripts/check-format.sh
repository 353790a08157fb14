#!/usr/bin/env bash
# Fails (and lists the files) when a C++ source is not as clang-format
# (.clang-format) would write it. Run by ctest as the clang_format test.
cd "$(dirname "$0")/.."
bad=()
while IFS= read -r f; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done < <(find base metrics topology scheduler launcher collectives sim tests -name '*.cc' -o -name '*.h' | sort)
if [ ${#bad[@]} -gt 0 ]; then
  echo "not clang-formatted (run: clang-format -i FILE):"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "all C++ sources are clang-formatted"
