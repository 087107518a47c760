#compdef asst

_asst_completion() {
  eval $(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" _ASST_COMPLETE=complete_zsh asst)
}

compdef _asst_completion asst
