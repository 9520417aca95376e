# bash completion for mcat: its long options, read from `mcat --help` (so
# they follow the program), and file names, host names and the rest by
# readline's default. Installed as share/bash-completion/completions/mcat.
_mcat() {
  local current=${COMP_WORDS[COMP_CWORD]} options
  [[ $current == -* ]] || return 0
  options=$("${COMP_WORDS[0]}" --help 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
  mapfile -t COMPREPLY < <(compgen -W "$options" -- "$current")
}
complete -o default -F _mcat mcat
