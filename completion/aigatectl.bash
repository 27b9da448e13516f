# bash completion for aigatectl, aigated and aigate-firewall.
#
# Installed as bash-completion/completions/aigatectl, with aigated and
# aigate-firewall as symlinks to it (bash-completion loads a file by the
# command's name).  The verbs and options follow the verb table and the
# usage strings of tools/aigatectl.c and tools/cmd_*.c; tests/deb/run.sh
# checks that every verb and every option that `aigatectl VERB --help`
# prints is known here.  A verb added later and not yet listed here still
# gets the options its --help prints.
# shellcheck disable=SC2207 # COMPREPLY=($(compgen ...)) is the idiom here

# Without the bash-completion package: plain file and directory names.
if ! declare -F _filedir >/dev/null 2>&1; then
	_filedir() {
		local IFS=$'\n'
		if [ "${1:-}" = -d ]; then
			COMPREPLY=($(compgen -d -- "$cur"))
		else
			COMPREPLY=($(compgen -f -- "$cur"))
		fi
	}
fi

# Options of each verb ("=" marks the ones that take a value).
_aigatectl_opts() {
	case $1 in
	check) echo "--from= --json --at= --list= --config= --contracts=" ;;
	scan) echo "--json --listed --list= --config= --contracts=" ;;
	lint) echo "--list= --config= --contract=" ;;
	status) echo "--json --prometheus --socket= -c= --config=" ;;
	reload | reopen) echo "--socket= -c= --config=" ;;
	report) echo "--since= --until= --format= -o= --output= --html= --list= --top=" ;;
	reveal) echo "--key= --period= --at= --log= --candidates=" ;;
	list) echo "--json --terms= --category= --list= --config=" ;;
	show) echo "--json --list= --config=" ;;
	update) echo "--from= --cacert= --pubkey= --dry-run --no-reload --list= --config= --contracts= --socket=" ;;
	rollback) echo "--no-reload --list= --config= --contracts= --socket=" ;;
	diff) echo "" ;;
	impact) echo "--log= --config= --contracts= --at=" ;;
	contract) echo "--dir= --config= --list= --no-reload --socket= --json --id= --reference= --service= --host= --expires= --approved-by= --starts=" ;;
	import) echo "--format= --terms= --service= --name= --vendor= --jurisdiction= --source= --list= --whole-list -o=" ;;
	export) echo "--format= -o= --list= --config= --contracts=" ;;
	*) return 1 ;;
	esac
}

_aigatectl_verbs="check scan lint status reload reopen report reveal list show update
rollback diff impact contract import export"

# The value of option $1 on the command line so far (for --list and
# --config given before a service name is completed).
_aigatectl_optval() {
	local i
	for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
		case ${COMP_WORDS[i]} in
		"$1") echo "${COMP_WORDS[i + 1]}"; return ;;
		"$1"=*) echo "${COMP_WORDS[i]#*=}"; return ;;
		esac
	done
}

# The values of field $1 in `aigatectl list --json` (one object per
# line) with the --list/--config of the command line, quietly.
_aigatectl_field() {
	local cmd=${COMP_WORDS[0]} l c
	l=$(_aigatectl_optval --list)
	c=$(_aigatectl_optval --config)
	"$cmd" list --json ${l:+--list "$l"} ${c:+--config "$c"} 2>/dev/null |
		grep -o "\"$1\":\"[^\"]*\"" | cut -d'"' -f4 | sort -u
}

_aigatectl_services() { _aigatectl_field id; }
_aigatectl_categories() { _aigatectl_field category; }

_aigatectl_contract_ids() {
	local d f
	d=$(_aigatectl_optval --dir)
	[ -n "$d" ] || d=/etc/aigate/contracts.d
	for f in "$d"/*.conf; do
		[ -e "$f" ] || continue
		f=${f##*/}
		echo "${f%.conf}"
	done
}

# Words for the value of option $2 of verb $1.
_aigatectl_value() {
	local verb=$1 opt=$2 cur=$3
	case $opt in
	--list) _filedir ;;
	--config | -c | --cacert | --pubkey | --key | --candidates | --contract | \
		-o | --output | --html | --log)
		_filedir ;;
	--contracts | --dir) _filedir -d ;;
	--socket) _filedir ;;
	--from)
		# a file or an https URL for update; an address for check
		[ "$verb" = update ] && _filedir ;;
	--format)
		case $verb in
		report) COMPREPLY=($(compgen -W "text json html" -- "$cur")) ;;
		import) COMPREPLY=($(compgen -W "hosts domains adblock" -- "$cur")) ;;
		export) COMPREPLY=($(compgen -W "dnsmasq unbound rpz hosts" -- "$cur")) ;;
		esac ;;
	--terms) COMPREPLY=($(compgen -W "consumer shared api enterprise dns-bypass" -- "$cur")) ;;
	--category) COMPREPLY=($(compgen -W "$(_aigatectl_categories)" -- "$cur")) ;;
	--service)
		[ "$verb" = contract ] && COMPREPLY=($(compgen -W "$(_aigatectl_services)" -- "$cur")) ;;
	--at | --since | --until | --expires | --starts)
		COMPREPLY=($(compgen -W "$(date -u +%Y-%m-%d)" -- "$cur")) ;;
	*) ;; # free text: IP, N, SECONDS, ID, TEXT, URL
	esac
}

_aigatectl() {
	local cur prev words cword split=false
	if declare -F _init_completion >/dev/null 2>&1; then
		_init_completion -s || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi

	# The verb, and for contract its subcommand: the first words that are
	# neither options nor the value of an option.
	local verb="" sub="" opts="" i
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-*) continue ;;
		esac
		if [ -n "$verb" ] && [[ " $opts " == *" ${words[i - 1]}= "* ]]; then
			continue
		fi
		if [ -z "$verb" ]; then
			verb=${words[i]}
			if ! opts=$(_aigatectl_opts "$verb"); then
				# A verb this file does not know yet: the options its
				# --help prints (value or not cannot be told: none).
				opts=$("${words[0]}" "$verb" --help 2>&1 | grep -o -- '--[a-z][a-z-]*' | sort -u | tr '\n' ' ')
			fi
		elif [ "$verb" = contract ] && [ -z "$sub" ]; then
			sub=${words[i]}
		fi
	done

	if [ -z "$verb" ]; then
		COMPREPLY=($(compgen -W "$_aigatectl_verbs help -h --help -V --version" -- "$cur"))
		return
	fi

	# The value of an option (--opt VALUE, or --opt=VALUE split by
	# _init_completion).
	if [ "$split" = true ] || [[ " $opts " == *" $prev= "* ]]; then
		_aigatectl_value "$verb" "$prev" "$cur"
		return
	fi

	if [ "$verb" = contract ]; then
		case $sub in
		"")
			if [[ $cur != -* ]]; then
				COMPREPLY=($(compgen -W "add list remove" -- "$cur"))
				return
			fi ;;
		add) opts="--id= --reference= --service= --host= --expires= --approved-by= --starts= --dir= --config= --list= --no-reload --socket=" ;;
		list) opts="--json --dir= --config= --list= --no-reload --socket=" ;;
		remove)
			opts="--dir= --config= --list= --no-reload --socket="
			if [[ $cur != -* ]]; then
				COMPREPLY=($(compgen -W "$(_aigatectl_contract_ids)" -- "$cur"))
				return
			fi ;;
		esac
	fi

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "${opts//=/} --help" -- "$cur"))
		return
	fi

	# Operands.
	case $verb in
	scan | lint | report | diff | impact | import) _filedir ;;
	show) COMPREPLY=($(compgen -W "$(_aigatectl_services)" -- "$cur")) ;;
	*) ;;
	esac
}
complete -F _aigatectl aigatectl

_aigated() {
	local cur prev
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	case $prev in
	-c | --list) _filedir; return ;;
	--contracts) _filedir -d; return ;;
	esac
	COMPREPLY=($(compgen -W "-c -n -v -V -h --list --contracts --version --help" -- "$cur"))
}
complete -F _aigated aigated

_aigate_firewall() {
	local cur prev i verb=""
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	case $prev in
	--backend) COMPREPLY=($(compgen -W "nft iptables" -- "$cur")); return ;;
	--queues) COMPREPLY=($(compgen -W "0:1 0:2 0:4" -- "$cur")); return ;;
	--tls-ports) COMPREPLY=($(compgen -W "443,853" -- "$cur")); return ;;
	--quic-ports) COMPREPLY=($(compgen -W "443" -- "$cur")); return ;;
	esac
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in install | remove | status | print | counters | zero) verb=${COMP_WORDS[i]} ;; esac
	done
	if [ -z "$verb" ] && [[ $cur != -* ]]; then
		COMPREPLY=($(compgen -W "install remove status print counters zero" -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -W "--backend --fail-closed --fail-open --queues --tls-ports --quic-ports --help" -- "$cur"))
}
complete -F _aigate_firewall aigate-firewall
