# Activate this virtual environment in Nushell (0.106 or newer):
#
#     overlay use bin/activate.nu
#
# `deactivate` leaves it (for an overlay given another name: `overlay hide NAME`). Written by puv.

export-env {
    def has-env [name: string] {
        $name in $env
    }

    def is-env-true [name: string] {
        if (has-env $name) {
            let value = ($env | get $name)
            if ($value | describe) == 'bool' { $value } else { not ($value | is-empty) }
        } else {
            false
        }
    }

    const virtual_env = __VIRTUAL_ENV__
    let path_name = if (has-env 'Path') { 'Path' } else { 'PATH' }
    let new_path = ($env | get $path_name | prepend ($virtual_env | path join 'bin'))
    let prompt_override = __VIRTUAL_PROMPT__
    let virtual_env_prompt = if ($prompt_override | is-empty) {
        $virtual_env | path basename
    } else {
        $prompt_override
    }
    let new_env = { $path_name: $new_path, VIRTUAL_ENV: $virtual_env, VIRTUAL_ENV_PROMPT: $virtual_env_prompt }
    let new_env = if (is-env-true 'VIRTUAL_ENV_DISABLE_PROMPT') {
        $new_env
    } else {
        let prefix = $'(char lparen)($virtual_env_prompt)(char rparen) '
        let old_prompt = if (has-env 'PROMPT_COMMAND') { $env.PROMPT_COMMAND } else { '' }
        let new_prompt = if ($old_prompt | describe | str starts-with 'closure') {
            {|| $'($prefix)(do $old_prompt)' }
        } else {
            {|| $'($prefix)($old_prompt)' }
        }
        $new_env | merge { PROMPT_COMMAND: $new_prompt, VIRTUAL_PREFIX: $prefix }
    }
    load-env $new_env
}

export alias pydoc = python -m pydoc
export alias deactivate = overlay hide activate
