#!/bin/bash

__daxkit_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__daxkit_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__daxkit_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__daxkit_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_daxkit() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __daxkit_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list|create-namespace|destroy-namespace|enable-namespace|disable-namespace|enable-region|disable-region|init-labels|zero-labels|dax|touch|provision|doctor|help)
        # Offer subcommand argument completions
        "_daxkit_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list create-namespace destroy-namespace enable-namespace disable-namespace enable-region disable-region init-labels zero-labels dax touch provision doctor help' -- "${cur}"))
        ;;
    esac
}

_daxkit_list() {
    repeating_flags=(-v --verbose)
    non_repeating_flags=(-B --buses -D --dimms -R --regions -N --namespaces -X --device-dax -C --capabilities -i --idle -c --configured -M --media-errors -u --human --version -h --help)
    repeating_options=()
    non_repeating_options=(-b --bus -r --region -d --dimm -n --namespace -m --mode -t --type -U --numa-node)
    __daxkit_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-b'|'--bus')
        return
        ;;
    '-r'|'--region')
        return
        ;;
    '-d'|'--dimm')
        return
        ;;
    '-n'|'--namespace')
        return
        ;;
    '-m'|'--mode')
        return
        ;;
    '-t'|'--type')
        return
        ;;
    '-U'|'--numa-node')
        return
        ;;
    esac
}

_daxkit_create-namespace() {
    repeating_flags=()
    non_repeating_flags=(-f --force -c --continue --no-autolabel -L --autolabel -v --verbose --no-autorecover --dry-run --human --json --version -h --help)
    repeating_options=()
    non_repeating_options=(-r --region -b --bus -m --mode -t --type -M --map -s --size --usable-size -a --align -n --name -u --uuid -l --sector-size -e --reconfig)
    __daxkit_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-r'|'--region')
        return
        ;;
    '-b'|'--bus')
        return
        ;;
    '-m'|'--mode')
        return
        ;;
    '-t'|'--type')
        return
        ;;
    '-M'|'--map')
        return
        ;;
    '-s'|'--size')
        return
        ;;
    '--usable-size')
        return
        ;;
    '-a'|'--align')
        return
        ;;
    '-n'|'--name')
        return
        ;;
    '-u'|'--uuid')
        return
        ;;
    '-l'|'--sector-size')
        return
        ;;
    '-e'|'--reconfig')
        return
        ;;
    esac
}

_daxkit_destroy-namespace() {
    repeating_flags=()
    non_repeating_flags=(-v --verbose -f --force --version -h --help)
    repeating_options=()
    non_repeating_options=(-r --region -b --bus)
    __daxkit_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-r'|'--region')
        return
        ;;
    '-b'|'--bus')
        return
        ;;
    esac
}

_daxkit_enable-namespace() {
    repeating_flags=()
    non_repeating_flags=(-v --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(-r --region -b --bus)
    __daxkit_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-r'|'--region')
        return
        ;;
    '-b'|'--bus')
        return
        ;;
    esac
}

_daxkit_disable-namespace() {
    repeating_flags=()
    non_repeating_flags=(-v --verbose -f --force --version -h --help)
    repeating_options=()
    non_repeating_options=(-r --region -b --bus)
    __daxkit_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-r'|'--region')
        return
        ;;
    '-b'|'--bus')
        return
        ;;
    esac
}

_daxkit_enable-region() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-b --bus)
    __daxkit_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-b'|'--bus')
        return
        ;;
    esac
}

_daxkit_disable-region() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-b --bus)
    __daxkit_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-b'|'--bus')
        return
        ;;
    esac
}

_daxkit_init-labels() {
    repeating_flags=()
    non_repeating_flags=(-f --force --version -h --help)
    repeating_options=()
    non_repeating_options=(-b --bus -V --label-version)
    __daxkit_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-b'|'--bus')
        return
        ;;
    '-V'|'--label-version')
        return
        ;;
    esac
}

_daxkit_zero-labels() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(-b --bus)
    __daxkit_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-b'|'--bus')
        return
        ;;
    esac
}

_daxkit_dax() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __daxkit_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list|create-device|destroy-device|enable-device|disable-device|reconfigure-device|online-memory|offline-memory|save-layout|restore-layout)
        # Offer subcommand argument completions
        "_daxkit_dax_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list create-device destroy-device enable-device disable-device reconfigure-device online-memory offline-memory save-layout restore-layout' -- "${cur}"))
        ;;
    esac
}

_daxkit_dax_list() {
    repeating_flags=()
    non_repeating_flags=(-D --devices -R --regions -M --mappings -i --idle -u --human --version -h --help)
    repeating_options=()
    non_repeating_options=(-r --region -d --dev)
    __daxkit_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-r'|'--region')
        return
        ;;
    '-d'|'--dev')
        return
        ;;
    esac
}

_daxkit_dax_create-device() {
    repeating_flags=()
    non_repeating_flags=(-u --human --version -h --help)
    repeating_options=()
    non_repeating_options=(-r --region -s --size -a --align -i --input)
    __daxkit_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-r'|'--region')
        return
        ;;
    '-s'|'--size')
        return
        ;;
    '-a'|'--align')
        return
        ;;
    '-i'|'--input')
        __daxkit_add_completions -o plusdirs -fX '!*.@(json)'
        return
        ;;
    esac
}

_daxkit_dax_destroy-device() {
    repeating_flags=()
    non_repeating_flags=(-u --human -f --force --version -h --help)
    repeating_options=()
    non_repeating_options=(-r --region)
    __daxkit_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-r'|'--region')
        return
        ;;
    esac
}

_daxkit_dax_enable-device() {
    repeating_flags=()
    non_repeating_flags=(-u --human --version -h --help)
    repeating_options=()
    non_repeating_options=(-r --region)
    __daxkit_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-r'|'--region')
        return
        ;;
    esac
}

_daxkit_dax_disable-device() {
    repeating_flags=()
    non_repeating_flags=(-u --human --version -h --help)
    repeating_options=()
    non_repeating_options=(-r --region)
    __daxkit_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-r'|'--region')
        return
        ;;
    esac
}

_daxkit_dax_reconfigure-device() {
    repeating_flags=()
    non_repeating_flags=(-u --human -N --no-online --no-movable -f --force --version -h --help)
    repeating_options=()
    non_repeating_options=(-r --region -m --mode -s --size -a --align)
    __daxkit_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-r'|'--region')
        return
        ;;
    '-m'|'--mode')
        return
        ;;
    '-s'|'--size')
        return
        ;;
    '-a'|'--align')
        return
        ;;
    esac
}

_daxkit_dax_online-memory() {
    repeating_flags=()
    non_repeating_flags=(-u --human --no-movable --version -h --help)
    repeating_options=()
    non_repeating_options=(-r --region)
    __daxkit_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-r'|'--region')
        return
        ;;
    esac
}

_daxkit_dax_offline-memory() {
    repeating_flags=()
    non_repeating_flags=(-u --human --version -h --help)
    repeating_options=()
    non_repeating_options=(-r --region)
    __daxkit_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-r'|'--region')
        return
        ;;
    esac
}

_daxkit_dax_save-layout() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __daxkit_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __daxkit_add_completions -f
        return
        ;;
    esac
}

_daxkit_dax_restore-layout() {
    repeating_flags=()
    non_repeating_flags=(-u --human --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __daxkit_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __daxkit_add_completions -o plusdirs -fX '!*.@(json)'
        return
        ;;
    esac
}

_daxkit_touch() {
    repeating_flags=()
    non_repeating_flags=(--json --expect-minimal-faults --progress --no-progress --version -h --help)
    repeating_options=()
    non_repeating_options=(--file --mode --threads --offset --length --seed --align --create-size --expect-pagesize)
    __daxkit_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--file')
        __daxkit_add_completions -f
        return
        ;;
    '--mode')
        __daxkit_add_completions -W 'write'$'\n''read'$'\n''pattern'$'\n''verify'
        return
        ;;
    '--threads')
        return
        ;;
    '--offset')
        return
        ;;
    '--length')
        return
        ;;
    '--seed')
        return
        ;;
    '--align')
        return
        ;;
    '--create-size')
        return
        ;;
    '--expect-pagesize')
        return
        ;;
    esac
}

_daxkit_provision() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __daxkit_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    plan|apply|status|destroy)
        # Offer subcommand argument completions
        "_daxkit_provision_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'plan apply status destroy' -- "${cur}"))
        ;;
    esac
}

_daxkit_provision_plan() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--format)
    __daxkit_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--format')
        __daxkit_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __daxkit_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    esac
}

_daxkit_provision_apply() {
    repeating_flags=()
    non_repeating_flags=(-f --force --version -h --help)
    repeating_options=()
    non_repeating_options=(--format)
    __daxkit_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--format')
        __daxkit_add_completions -W 'text'$'\n''json'$'\n''qemu'$'\n''libvirt'$'\n''cloud-hypervisor'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __daxkit_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    esac
}

_daxkit_provision_status() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--format)
    __daxkit_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--format')
        __daxkit_add_completions -W 'text'$'\n''json'$'\n''qemu'$'\n''libvirt'$'\n''cloud-hypervisor'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __daxkit_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    esac
}

_daxkit_provision_destroy() {
    repeating_flags=()
    non_repeating_flags=(--zero -f --force --progress --no-progress --version -h --help)
    repeating_options=(--vm)
    non_repeating_options=()
    __daxkit_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--vm')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __daxkit_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    esac
}

_daxkit_doctor() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--plan)
    __daxkit_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--plan')
        __daxkit_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    esac
}

_daxkit_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __daxkit_offer_flags_options -1
}

complete -o filenames -F _daxkit daxkit
