# bash completion for ebpfrec(8). The options come from `ebpfrec --help`,
# so they are always those of the ebpfrec installed.
_ebpfrec()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}

	case $prev in
	-o | --output)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	-i | --interface)
		COMPREPLY=($(compgen -W "any $(ls /sys/class/net 2>/dev/null)" -- "$cur"))
		return ;;
	--netns)
		COMPREPLY=($(compgen -W "$(ls /run/netns 2>/dev/null)" -- "$cur"))
		return ;;
	--cgroup)
		compopt -o dirnames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur"))
		return ;;
	--xdp-mode)
		COMPREPLY=($(compgen -W "auto native generic" -- "$cur"))
		return ;;
	--failed-hook)
		COMPREPLY=($(compgen -W "auto sys-exit" -- "$cur"))
		return ;;
	--rotate-every | --ring | --after | --interval)
		COMPREPLY=($(compgen -W "1s 10s 1m 5m 10m 1h 1d" -- "$cur"))
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(ebpfrec --help 2>/dev/null |
			grep -o -- '--[a-z][a-z0-9-]*' | sort -u)" -- "$cur"))
	fi
}
complete -F _ebpfrec ebpfrec
