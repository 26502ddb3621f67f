function __daxkit_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __daxkit_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __daxkit_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __daxkit_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __daxkit_parse_tokens -S
    set -l unparsed_tokens (__daxkit_tokens -pc)
    switch $unparsed_tokens[1]
    case 'daxkit'
        __daxkit_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'list'
            __daxkit_parse_subcommand 0 'b/bus=' 'r/region=' 'd/dimm=' 'n/namespace=' 'm/mode=' 't/type=' 'U/numa-node=' 'B/buses' 'D/dimms' 'R/regions' 'N/namespaces' 'X/device-dax' 'C/capabilities' 'i/idle' 'c/configured' 'M/media-errors' 'u/human' 'v/verbose' 'version' 'h/help'
        case 'create-namespace'
            __daxkit_parse_subcommand 0 'r/region=' 'b/bus=' 'm/mode=' 't/type=' 'M/map=' 's/size=' 'usable-size=' 'a/align=' 'n/name=' 'u/uuid=' 'l/sector-size=' 'e/reconfig=' 'f/force' 'c/continue' 'no-autolabel' 'L/autolabel' 'v/verbose' 'no-autorecover' 'dry-run' 'human' 'json' 'version' 'h/help'
        case 'destroy-namespace'
            __daxkit_parse_subcommand 1 'r/region=' 'b/bus=' 'v/verbose' 'f/force' 'version' 'h/help'
        case 'enable-namespace'
            __daxkit_parse_subcommand 1 'r/region=' 'b/bus=' 'v/verbose' 'version' 'h/help'
        case 'disable-namespace'
            __daxkit_parse_subcommand 1 'r/region=' 'b/bus=' 'v/verbose' 'f/force' 'version' 'h/help'
        case 'enable-region'
            __daxkit_parse_subcommand 1 'b/bus=' 'version' 'h/help'
        case 'disable-region'
            __daxkit_parse_subcommand 1 'b/bus=' 'version' 'h/help'
        case 'init-labels'
            __daxkit_parse_subcommand -r 1 'b/bus=' 'f/force' 'V/label-version=' 'version' 'h/help'
        case 'zero-labels'
            __daxkit_parse_subcommand -r 1 'b/bus=' 'version' 'h/help'
        case 'dax'
            __daxkit_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'list'
                __daxkit_parse_subcommand 0 'r/region=' 'd/dev=' 'D/devices' 'R/regions' 'M/mappings' 'i/idle' 'u/human' 'version' 'h/help'
            case 'create-device'
                __daxkit_parse_subcommand 0 'r/region=' 's/size=' 'a/align=' 'i/input=' 'u/human' 'version' 'h/help'
            case 'destroy-device'
                __daxkit_parse_subcommand 1 'r/region=' 'u/human' 'f/force' 'version' 'h/help'
            case 'enable-device'
                __daxkit_parse_subcommand 1 'r/region=' 'u/human' 'version' 'h/help'
            case 'disable-device'
                __daxkit_parse_subcommand 1 'r/region=' 'u/human' 'version' 'h/help'
            case 'reconfigure-device'
                __daxkit_parse_subcommand 1 'r/region=' 'u/human' 'm/mode=' 's/size=' 'a/align=' 'N/no-online' 'no-movable' 'f/force' 'version' 'h/help'
            case 'online-memory'
                __daxkit_parse_subcommand 1 'r/region=' 'u/human' 'no-movable' 'version' 'h/help'
            case 'offline-memory'
                __daxkit_parse_subcommand 1 'r/region=' 'u/human' 'version' 'h/help'
            case 'save-layout'
                __daxkit_parse_subcommand 1 'version' 'h/help'
            case 'restore-layout'
                __daxkit_parse_subcommand 1 'u/human' 'version' 'h/help'
            end
        case 'touch'
            __daxkit_parse_subcommand 1 'file=' 'mode=' 'threads=' 'offset=' 'length=' 'seed=' 'align=' 'create-size=' 'json' 'expect-pagesize=' 'expect-minimal-faults' 'progress' 'no-progress' 'version' 'h/help'
        case 'provision'
            __daxkit_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'plan'
                __daxkit_parse_subcommand 1 'format=' 'version' 'h/help'
            case 'apply'
                __daxkit_parse_subcommand 1 'f/force' 'format=' 'version' 'h/help'
            case 'status'
                __daxkit_parse_subcommand 1 'format=' 'version' 'h/help'
            case 'destroy'
                __daxkit_parse_subcommand 1 'vm=+' 'zero' 'f/force' 'progress' 'no-progress' 'version' 'h/help'
            end
        case 'doctor'
            __daxkit_parse_subcommand 0 'json' 'plan=' 'version' 'h/help'
        case 'help'
            __daxkit_parse_subcommand -r 1 'version'
        end
    end
end

function __daxkit_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __daxkit_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __daxkit_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __daxkit_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__daxkit_tokens -p)
    if test -z "$(__daxkit_tokens -t)"
        set -l index (count (__daxkit_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'daxkit' -f
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit" -eq 1' -fa 'list' -d 'List buses, DIMMs, regions and namespaces as JSON (drop-in for ndctl list).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit" -eq 1' -fa 'create-namespace' -d 'Provision or reconfigure a namespace (ndctl create-namespace compatible).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit" -eq 1' -fa 'destroy-namespace' -d 'Destroy namespaces, releasing their capacity (ndctl destroy-namespace compatible).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit" -eq 1' -fa 'enable-namespace' -d 'Enable namespaces (ndctl enable-namespace compatible).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit" -eq 1' -fa 'disable-namespace' -d 'Disable namespaces (ndctl disable-namespace compatible).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit" -eq 1' -fa 'enable-region' -d 'Enable regions (ndctl enable-region compatible).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit" -eq 1' -fa 'disable-region' -d 'Disable regions (ndctl disable-region compatible).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit" -eq 1' -fa 'init-labels' -d 'Initialise an empty label index on DIMMs (ndctl init-labels compatible).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit" -eq 1' -fa 'zero-labels' -d 'Erase the label area of DIMMs (ndctl zero-labels compatible).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit" -eq 1' -fa 'dax' -d 'Device-DAX regions and devices (the daxctl side).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit" -eq 1' -fa 'touch' -d 'Map a device-DAX device (or a file) and touch every page: page size, faults, bandwidth.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit" -eq 1' -fa 'provision' -d 'Per-VM guest memory on /dev/daxX.Y, from a declarative plan file.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit" -eq 1' -fa 'doctor' -d 'Check what this host can do with pmem and device-DAX, and what will bite.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit list" b bus' -s 'b' -l 'bus' -d 'Filter by bus: id, provider or device name (or "all").' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit list" r region' -s 'r' -l 'region' -d 'Filter by region: id or name (or "all").' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit list" d dimm' -s 'd' -l 'dimm' -d 'Filter by DIMM: id or nmemN name (or "all").' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit list" n namespace' -s 'n' -l 'namespace' -d 'Filter by namespace: namespaceX.Y or X.Y (or "all").' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit list" m mode' -s 'm' -l 'mode' -d 'Filter by namespace mode: raw, sector, fsdax, devdax.' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit list" t type' -s 't' -l 'type' -d 'Filter by region type: pmem or blk.' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit list" U numa-node' -s 'U' -l 'numa-node' -d 'Filter by NUMA node.' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit list" B buses' -s 'B' -l 'buses' -d 'Include bus info.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit list" D dimms' -s 'D' -l 'dimms' -d 'Include DIMM info.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit list" R regions' -s 'R' -l 'regions' -d 'Include region info.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit list" N namespaces' -s 'N' -l 'namespaces' -d 'Include namespace info (the default).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit list" X device-dax' -s 'X' -l 'device-dax' -d 'Include device-dax info (dax region and devices of devdax namespaces).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit list" C capabilities' -s 'C' -l 'capabilities' -d 'Include region capability info (modes, alignments, sector sizes).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit list" i idle' -s 'i' -l 'idle' -d 'Include idle (disabled, unconfigured) devices.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit list" c configured' -s 'c' -l 'configured' -d 'Include configured namespaces, disabled or not.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit list" M media-errors' -s 'M' -l 'media-errors' -d 'Include media errors (bad blocks).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit list" human u' -s 'u' -l 'human' -d 'Use human-friendly number formats.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit list"' -s 'v' -l 'verbose' -d 'Increase output detail (repeatable, as in ndctl).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit list" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit create-namespace" r region' -s 'r' -l 'region' -d 'Limit to a region: id, name or "all".' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit create-namespace" b bus' -s 'b' -l 'bus' -d 'Limit to a bus: id, provider or name.' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit create-namespace" m mode' -s 'm' -l 'mode' -d 'raw, sector, fsdax (default) or devdax.' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit create-namespace" t type' -s 't' -l 'type' -d 'Namespace type: pmem (ndctl\'s -t, for scripts; blk namespaces no longer exist).' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit create-namespace" M map' -s 'M' -l 'map' -d 'Where struct page lives: dev (default), mem, or none (devdax only).' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit create-namespace" s size' -s 's' -l 'size' -d 'Namespace size: bytes or K/M/G/T (base 1024); default: the largest free extent.' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit create-namespace" usable-size' -l 'usable-size' -d 'Create the smallest namespace giving at least this many usable bytes.' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit create-namespace" a align' -s 'a' -l 'align' -d 'Mapping alignment: 4K, 2M, 1G or bytes (among the seed\'s supported alignments).' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit create-namespace" n name' -s 'n' -l 'name' -d 'Namespace name (label alt_name, up to 63 bytes).' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit create-namespace" u uuid' -s 'u' -l 'uuid' -d 'Namespace uuid (default: random).' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit create-namespace" l sector-size' -s 'l' -l 'sector-size' -d 'Logical sector size (sector mode: 512, 520, 528, 4096, 4104, 4160 or 4224; default 4096).' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit create-namespace" e reconfig' -s 'e' -l 'reconfig' -d 'Reconfigure this existing namespace instead of creating one (an idle seed with --size: configure it).' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit create-namespace" f force' -s 'f' -l 'force' -d 'Reconfigure an active namespace (never one in use by a process, mount or as system RAM).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit create-namespace" c continue' -s 'c' -l 'continue' -d 'Do not stop after one namespace: create one in every region that matches --region/--bus and has room (label-less regions not named are skipped). Stops at the first error unless --force, which skips it and still fails the command; prints "created N namespaces" on stderr.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit create-namespace" no-autolabel' -l 'no-autolabel' -d 'Do not try to enable labels on label-less regions when reconfiguring.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit create-namespace" L autolabel' -s 'L' -l 'autolabel' -d 'Try to enable labels on label-less regions when reconfiguring (the default; ndctl\'s -L).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit create-namespace" v verbose' -s 'v' -l 'verbose' -d 'Accepted for ndctl\'s scripts (ndctl\'s debug output); daxkit\'s messages are the same.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit create-namespace" no-autorecover' -l 'no-autorecover' -d 'On failure, leave the partial configuration for debugging instead of rolling back.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit create-namespace" dry-run' -l 'dry-run' -d 'Print the capacity plan (in words on a terminal or with --human, else JSON) and change nothing.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit create-namespace" human' -l 'human' -d 'Print the plan (--dry-run) in words and sizes in human units, as on a terminal.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit create-namespace" json' -l 'json' -d 'With --dry-run, print the plan as JSON even on a terminal.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit create-namespace" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit create-namespace" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit destroy-namespace" r region' -s 'r' -l 'region' -d 'Limit to a region: id, name or "all".' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit destroy-namespace" b bus' -s 'b' -l 'bus' -d 'Limit to a bus.' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit destroy-namespace" v verbose' -s 'v' -l 'verbose' -d 'Accepted for ndctl\'s scripts (ndctl\'s debug output); daxkit\'s messages are the same.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit destroy-namespace" f force' -s 'f' -l 'force' -d 'Destroy active namespaces (never ones in use).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit destroy-namespace" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit destroy-namespace" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit enable-namespace" r region' -s 'r' -l 'region' -d 'Limit to a region: id, name or "all".' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit enable-namespace" b bus' -s 'b' -l 'bus' -d 'Limit to a bus.' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit enable-namespace" v verbose' -s 'v' -l 'verbose' -d 'Accepted for ndctl\'s scripts (ndctl\'s debug output); daxkit\'s messages are the same.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit enable-namespace" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit enable-namespace" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit disable-namespace" r region' -s 'r' -l 'region' -d 'Limit to a region: id, name or "all".' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit disable-namespace" b bus' -s 'b' -l 'bus' -d 'Limit to a bus.' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit disable-namespace" v verbose' -s 'v' -l 'verbose' -d 'Accepted for ndctl\'s scripts (ndctl\'s debug output); daxkit\'s messages are the same.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit disable-namespace" f force' -s 'f' -l 'force' -d 'Accepted for scripts written for earlier daxkit; disabling needs no consent.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit disable-namespace" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit disable-namespace" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit enable-region" b bus' -s 'b' -l 'bus' -d 'Limit to a bus.' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit enable-region" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit enable-region" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit disable-region" b bus' -s 'b' -l 'bus' -d 'Limit to a bus.' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit disable-region" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit disable-region" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit init-labels" b bus' -s 'b' -l 'bus' -d 'Limit to a bus.' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit init-labels" f force' -s 'f' -l 'force' -d 'Overwrite an existing valid label index (all namespaces on it are lost).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit init-labels" V label-version' -s 'V' -l 'label-version' -d 'Label version: 1.1 (default) or 1.2.' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit init-labels" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit init-labels" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit zero-labels" b bus' -s 'b' -l 'bus' -d 'Limit to a bus.' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit zero-labels" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit zero-labels" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit dax" -eq 1' -fa 'list' -d 'List dax regions and devices as JSON (drop-in for daxctl list).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit dax" -eq 1' -fa 'create-device' -d 'Create a dax device in a dynamic dax region (daxctl create-device compatible).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit dax" -eq 1' -fa 'destroy-device' -d 'Destroy dax devices, returning their ranges to the region (daxctl destroy-device compatible).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit dax" -eq 1' -fa 'enable-device' -d 'Bind device_dax to dax devices (daxctl enable-device compatible).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit dax" -eq 1' -fa 'disable-device' -d 'Unbind device_dax from dax devices (daxctl disable-device compatible).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit dax" -eq 1' -fa 'reconfigure-device' -d 'Move a dax device between devdax and system-ram, or resize it (daxctl reconfigure-device compatible).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit dax" -eq 1' -fa 'online-memory' -d 'Online the memory of a system-ram dax device (daxctl online-memory compatible).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit dax" -eq 1' -fa 'offline-memory' -d 'Offline the memory of a system-ram dax device (daxctl offline-memory compatible).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit dax" -eq 1' -fa 'save-layout' -d 'Record every dynamic dax device\'s exact ranges, size, alignment and mode in FILE.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit dax" -eq 1' -fa 'restore-layout' -d 'Recreate the dax devices a save-layout FILE records, on their exact ranges.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax list" r region' -s 'r' -l 'region' -d 'Filter by dax region id (N or regionN).' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax list" d dev' -s 'd' -l 'dev' -d 'Filter by dax device (daxX.Y or X.Y).' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax list" D devices' -s 'D' -l 'devices' -d 'Include dax device info.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax list" R regions' -s 'R' -l 'regions' -d 'Include dax region info.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax list" M mappings' -s 'M' -l 'mappings' -d 'Include dax mappings info.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax list" i idle' -s 'i' -l 'idle' -d 'Include idle (zero-sized) devices.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax list" human u' -s 'u' -l 'human' -d 'Use human-friendly number formats.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax list" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax create-device" r region' -s 'r' -l 'region' -d 'The dax region: N or regionN.' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax create-device" s size' -s 's' -l 'size' -d 'Size: bytes or K/M/G/T (default: all available).' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax create-device" a align' -s 'a' -l 'align' -d 'Alignment: 4K, 2M or 1G (default: the region\'s).' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax create-device" i input' -s 'i' -l 'input' -d 'A device JSON object whose mappings to replay exactly.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'json\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax create-device" human u' -s 'u' -l 'human' -d 'Use human-friendly number formats.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax create-device" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax create-device" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax destroy-device" r region' -s 'r' -l 'region' -d 'Limit to a dax region: N or regionN.' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax destroy-device" human u' -s 'u' -l 'human' -d 'Use human-friendly number formats.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax destroy-device" f force' -s 'f' -l 'force' -d 'Disable an enabled device first (never one in use).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax destroy-device" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax destroy-device" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax enable-device" r region' -s 'r' -l 'region' -d 'Limit to a dax region: N or regionN.' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax enable-device" human u' -s 'u' -l 'human' -d 'Use human-friendly number formats.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax enable-device" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax enable-device" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax disable-device" r region' -s 'r' -l 'region' -d 'Limit to a dax region: N or regionN.' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax disable-device" human u' -s 'u' -l 'human' -d 'Use human-friendly number formats.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax disable-device" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax disable-device" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax reconfigure-device" r region' -s 'r' -l 'region' -d 'Limit to a dax region: N or regionN.' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax reconfigure-device" human u' -s 'u' -l 'human' -d 'Use human-friendly number formats.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax reconfigure-device" m mode' -s 'm' -l 'mode' -d 'devdax or system-ram.' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax reconfigure-device" s size' -s 's' -l 'size' -d 'New size of a disabled device: bytes or K/M/G/T.' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax reconfigure-device" a align' -s 'a' -l 'align' -d 'New alignment of a disabled device: 4K, 2M or 1G.' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax reconfigure-device" N no-online' -s 'N' -l 'no-online' -d 'Do not online the memory (system-ram).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax reconfigure-device" no-movable' -l 'no-movable' -d 'Online the memory into a normal zone (it may never offline again).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax reconfigure-device" f force' -s 'f' -l 'force' -d 'Offline memory before leaving system-ram; go on despite the auto-online policy or block alignment. Never overrides a device in use.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax reconfigure-device" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax reconfigure-device" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax online-memory" r region' -s 'r' -l 'region' -d 'Limit to a dax region: N or regionN.' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax online-memory" human u' -s 'u' -l 'human' -d 'Use human-friendly number formats.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax online-memory" no-movable' -l 'no-movable' -d 'Online into a normal zone (it may never offline again).'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax online-memory" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax online-memory" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax offline-memory" r region' -s 'r' -l 'region' -d 'Limit to a dax region: N or regionN.' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax offline-memory" human u' -s 'u' -l 'human' -d 'Use human-friendly number formats.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax offline-memory" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax offline-memory" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit dax save-layout" -eq 1' -F
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax save-layout" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax save-layout" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit dax restore-layout" -eq 1' -fa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'json\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax restore-layout" human u' -s 'u' -l 'human' -d 'Use human-friendly number formats.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax restore-layout" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit dax restore-layout" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit touch" file' -l 'file' -d 'Map this regular file instead of a device.' -rF
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit touch" mode' -l 'mode' -d 'What to do to every byte: write, read, pattern or verify.' -rfka 'write read pattern verify'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit touch" threads' -l 'threads' -d 'Worker threads (default: one per online CPU).' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit touch" offset' -l 'offset' -d 'Start of the range, a multiple of the alignment (default 0).' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit touch" length' -l 'length' -d 'Length of the range, a multiple of the alignment (default: to the end).' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit touch" seed' -l 'seed' -d 'Seed of the pattern (decimal or 0x hex; default 0).' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit touch" align' -l 'align' -d 'Alignment for --file: 4K, 2M, 1G or bytes (default 4K).' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit touch" create-size' -l 'create-size' -d 'For --file: create the file, or extend it, to this size.' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit touch" json' -l 'json' -d 'Print the report as JSON on stdout.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit touch" expect-pagesize' -l 'expect-pagesize' -d 'Fail unless smaps KernelPageSize of the mapping is this (4K, 2M or 1G).' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit touch" expect-minimal-faults' -l 'expect-minimal-faults' -d 'Fail unless the touch\'s worker threads took exactly one fault per aligned page.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit touch" progress' -l 'progress' -d 'Draw progress on stderr even when it is not a terminal (then a line every few seconds); by default only on a terminal.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit touch" no-progress' -l 'no-progress' -d 'Never draw progress on stderr.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit touch" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit touch" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit provision" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit provision" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit provision" -eq 1' -fa 'plan' -d 'Say what provisioning a plan file would do and what it costs; change nothing.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit provision" -eq 1' -fa 'apply' -d 'Make the host match a plan file: create, keep or recreate each VM\'s device.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit provision" -eq 1' -fa 'status' -d 'Each VM\'s device, usable bytes, align, owner, whether it is in use, and its drift from the plan.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit provision" -eq 1' -fa 'destroy' -d 'Tear down VMs\' devices, optionally zeroing their memory first.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit provision plan" -eq 1' -fa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit provision plan" format' -l 'format' -d 'text or json (default: text on a terminal, json in a pipe).' -rfka 'text json'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit provision plan" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit provision plan" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit provision apply" -eq 1' -fa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit provision apply" f force' -s 'f' -l 'force' -d 'Recreate VMs whose namespace differs from the plan (their contents are lost); never one in use.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit provision apply" format' -l 'format' -d 'text, json, qemu, libvirt or cloud-hypervisor (default: text on a terminal, json in a pipe).' -rfka 'text json qemu libvirt cloud-hypervisor'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit provision apply" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit provision apply" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit provision status" -eq 1' -fa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit provision status" format' -l 'format' -d 'text, json, qemu, libvirt or cloud-hypervisor (default: text on a terminal, json in a pipe).' -rfka 'text json qemu libvirt cloud-hypervisor'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit provision status" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit provision status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_positional "daxkit provision destroy" -eq 1' -fa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit provision destroy"' -l 'vm' -d 'A VM to tear down (repeatable; default: every VM of the plan file).' -rfka ''
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit provision destroy" zero' -l 'zero' -d 'Overwrite each device with zeros and verify them before destroying it.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit provision destroy" f force' -s 'f' -l 'force' -d 'Consent to destroy (the VMs\' memory contents are lost); never overrides in use.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit provision destroy" progress' -l 'progress' -d 'Draw zeroing progress on stderr even when it is not a terminal.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit provision destroy" no-progress' -l 'no-progress' -d 'Never draw zeroing progress.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit provision destroy" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit provision destroy" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit doctor" json' -l 'json' -d 'Print the findings as a JSON array on stdout.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit doctor" plan' -l 'plan' -d 'The provisioning plan whose owners and modes the device nodes are judged against (default: /etc/daxkit/vms.yaml, the boot unit\'s).' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit doctor" version' -l 'version' -d 'Show the version.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit doctor" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'daxkit' -n '__daxkit_should_offer_completions_for_flags_or_options "daxkit help" version' -l 'version' -d 'Show the version.'
