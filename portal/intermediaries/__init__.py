"""Village intermediaries (issue 13 item 1): people a commune's agency administrator names to file feedback
and dossiers on behalf of villagers who have no smartphone, with the villager's recorded consent."""
