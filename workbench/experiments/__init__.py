"""Protocol logic: the phases of each protocol (data, train, test, archive) as functions that the scripts
in ``protocols/`` call; the scripts hold the parameters and show the steps."""
