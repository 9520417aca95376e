# bash completion for mbench: its subcommands (and recovery's scenarios),
# then the options of the subcommand given, read from `mbench SUBCOMMAND
# --help` (so they follow the program); file names elsewhere. Installed as
# share/bash-completion/completions/mbench.
_mbench() {
  local current=${COMP_WORDS[COMP_CWORD]} options
  if ((COMP_CWORD == 1)); then
    mapfile -t COMPREPLY < <(compgen -W "link names throughput recovery multipath handover energy --help --version" \
      -- "$current")
    return 0
  fi
  if [[ ${COMP_WORDS[1]} == recovery && $COMP_CWORD == 2 && $current != -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "client server both" -- "$current")
    return 0
  fi
  [[ $current == -* ]] || return 0
  options=$("${COMP_WORDS[0]}" "${COMP_WORDS[1]}" --help 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
  mapfile -t COMPREPLY < <(compgen -W "$options" -- "$current")
}
complete -o default -F _mbench mbench
