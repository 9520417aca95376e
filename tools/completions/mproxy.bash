# bash completion for mproxy: its long options, read from `mproxy --help` (so
# they follow the program); addresses, URLs and times are typed, and
# readline's default offers file names elsewhere. Installed as
# share/bash-completion/completions/mproxy.
_mproxy() {
  local current=${COMP_WORDS[COMP_CWORD]} options
  [[ $current == -* ]] || return 0
  options=$("${COMP_WORDS[0]}" --help 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
  mapfile -t COMPREPLY < <(compgen -W "$options" -- "$current")
}
complete -o default -F _mproxy mproxy
