# bash completion for ebpfreport(1): its commands, each command's options
# (from `ebpfreport help COMMAND`, so always those of the ebpfreport
# installed), session files (*.db) and directories.
_ebpfreport()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local cmds cmd=summary i

	cmds=$(ebpfreport --help 2>/dev/null | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p' | tr '\n' ' ')
	for ((i = 1; i < COMP_CWORD; i++)); do
		if [[ " $cmds " == *" ${COMP_WORDS[i]} "* ]]; then
			cmd=${COMP_WORDS[i]}
			break
		fi
	done
	case $prev in
	-o | --output)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--format)
		COMPREPLY=($(compgen -W "jsonl csv sqlite perfetto" -- "$cur"))
		return ;;
	--sort)
		COMPREPLY=($(compgen -W "count packets bytes" -- "$cur"))
		return ;;
	--by)
		COMPREPLY=($(compgen -W "comm path cmdline uid parent flow src dst port proto iface" -- "$cur"))
		return ;;
	--argv)
		COMPREPLY=($(compgen -W "drop hash" -- "$cur"))
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(ebpfreport help "$cmd" 2>/dev/null |
			grep -o -- '--[a-z][a-z0-9-]*' | sort -u)" -- "$cur"))
		return
	fi
	COMPREPLY=()
	if ((COMP_CWORD == 1)); then
		COMPREPLY=($(compgen -W "$cmds help" -- "$cur"))
	fi
	compopt -o filenames 2>/dev/null
	COMPREPLY+=($(compgen -f -X '!*.db' -- "$cur") $(compgen -d -- "$cur"))
}
complete -F _ebpfreport ebpfreport
