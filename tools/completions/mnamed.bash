# bash completion for mnamed: its subcommands, then the options of the one
# given, read from `mnamed SUBCOMMAND --help` (so they follow the program);
# file names elsewhere. Installed as share/bash-completion/completions/mnamed.
_mnamed() {
  local current=${COMP_WORDS[COMP_CWORD]} options
  if ((COMP_CWORD == 1)); then
    mapfile -t COMPREPLY < <(compgen -W "serve keygen register lookup list watch delete --help --version" -- "$current")
    return 0
  fi
  [[ $current == -* ]] || return 0
  options=$("${COMP_WORDS[0]}" "${COMP_WORDS[1]}" --help 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
  mapfile -t COMPREPLY < <(compgen -W "$options" -- "$current")
}
complete -o default -F _mnamed mnamed
